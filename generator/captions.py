"""What marks a line of scraped text as a picture's caption or credit, not the story.

The importer drops such lines from the articles it imports; the timeline
takes no date from one left in an article written by hand. The patterns
live here, on their own, so that a build, which needs the timeline's, does
not import the importer and the extraction libraries it reads web pages
with (``trafilatura``: 0.3-0.4 s at the start of every build).
"""

from __future__ import annotations

import re

# News agencies, as credited at the end of a story ("(Reuters)", "With AFP").
NEWS_AGENCIES = (
    r"Reuters|(?:The )?Associated Press|AP|AFP|Agence France-Presse|Anadolu(?: Agency)?|AA|dpa|EFE"
    r"|ANSA|Xinhua|Kyodo(?: News)?|Yonhap|TASS|Interfax|PTI|IANS|ANI|Bloomberg|PA(?: Media)?"
    r"|Press Association|UPI|Sputnik|RIA Novosti|WAM|SPA|KUNA|APA|AAP|CP|Canadian Press"
)
# Photo agencies and credit words, as printed under pictures.
_PHOTO_AGENCIES = (
    NEWS_AGENCIES + r"|Getty(?: Images)?|AP Photo|EPA(?:-EFE)?|Shutterstock|Alamy(?: Stock Photo)?|PA Wire"
    r"|PA Images|NurPhoto|SOPA Images|LightRocket|Sipa(?: USA)?|Corbis|ZUMA(?: Press| Wire)?"
    r"|WireImage|Redux|Polaris|Keystone|Pool|Handout|Universal Images Group|picture alliance"
    r"|Stringer"
)
# A photographer's name in a credit: up to five capitalised words.
_CREDIT_NAME = r"[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,4}"

# Photo captions and picture credits. A caption may be a full sentence; it is
# recognised by how outlets mark it, never by its content.
CAPTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "FILE: A UN policeman escorts...", "FILE PHOTO: ...", "Photo: ...",
    # "Image caption, ...", "Image source, Getty Images" (BBC), "Pictured: ..."
    re.compile(
        r"^(?:(?:file(?: photo)?|photo(?:graph)?s?|images?|pictures?|pictured|caption|credit|"
        r"photo credit|image credit)\s*[:|]|(?:image caption|image source|media caption|video caption)"
        r"\s*[:,|])",
        re.IGNORECASE,
    ),
    # AP style "FILE - Soldiers patrol ..." (upper case only: "File" starts prose)
    re.compile(r"^FILE(?: PHOTO)?\s+[-–—]\s"),
    # A line ending in a picture credit: "... in Gao. (Photo: Jane Doe/AFP)"
    re.compile(
        r"\((?:photo|image|picture|photograph|credit|file photo|file|pic|foto)\b[^()]*\)$",
        re.IGNORECASE,
    ),
    re.compile(rf"\((?:[^()]*/\s*)?(?:{_PHOTO_AGENCIES})(?:\s*(?:/|via)[^()]*)?\)$"),
    # A credit on its own: "Getty Images", "AFP via Getty Images",
    # "John Doe/Reuters", "© EPA-EFE/Shutterstock", "(Reuters)", "AP Photo/Jane Doe"
    re.compile(
        rf"^[(©\s]*(?:{_CREDIT_NAME}\s*(?:/|\svia\s)\s*)?(?:{_PHOTO_AGENCIES})"
        rf"(?:\s*(?:/|\svia\s)\s*{_CREDIT_NAME})?\)?$"
    ),
    # Gallery counters: "Image 1 of 5", "Photo 3/12"
    re.compile(r"^(?:image|photo|picture|slide)\s+\d+\s*(?:of|/)\s*\d+$", re.IGNORECASE),
)
