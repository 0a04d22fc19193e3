"""Settings of the example site. ``pelican -s pelicanconf.py`` and
``briefing build`` both build it into ``output/``."""

from generator.settings import *  # noqa: F403

SITENAME = "UK withdrawal from Mali: briefing"
SITESUBTITLE = "What three outlets report about the UK leaving the UN mission in Mali, November 2022"
