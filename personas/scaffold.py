"""``bow persona new``: a persona file with every field explained, valid as written."""

from __future__ import annotations

from personas.schema import SLUG

TEMPLATE = """\
# Persona file for {hero}/{version}. Every field is explained; replace each TODO.
# Check it with:  bow persona validate {path_hint}
# Memory passages are in your own words, from canon knowledge. Aim for 20+ passages
# covering every life stage, the choices that define this version, and what sets it
# apart from the hero's other versions.

id: {hero}/{version}            # '<hero-slug>/<version-slug>'; must match the folder and file name
cid: null                       # the Beyond One World dataset's CID for this version, if it has one
hero: {hero}                    # hero slug shared by every version of this hero
name: "TODO civilian name"      # e.g. "Tony Stark"
alias: "TODO hero name"         # e.g. "Iron Man" (or null)
universe: "TODO"                # publisher universe: Marvel, DC, ...
continuity: "TODO"              # e.g. "Marvel Cinematic Universe (Earth-199999)"
version_label: "TODO"           # short label shown in tables, e.g. "MCU, Avengers: Endgame (2019)"
sources:                        # the works this version comes from
  - {{medium: film, title: "TODO title", year: "TODO"}}   # medium: film, comic, tv-series, animated-series, game
timeline_point: >-
  TODO: the moment in canon this persona speaks from (e.g. just after the film's ending).
profile:
  age: "TODO"
  species: "TODO"               # e.g. Human, Asgardian, Kryptonian
  powers: ["TODO"]
  mbti: null                    # e.g. ENTP
  enneagram: null               # e.g. 7w8
values:                         # 3-5 things this version cares about most
  - "TODO"
moral_code: >-
  TODO: the rules this version will and will not break, in a sentence or two.
speech_style: >-
  TODO: how this version talks (rhythm, humour, favourite turns of phrase).
relationships:                  # the people who matter, as this continuity has them
  - {{name: "TODO", relation: "TODO", note: "TODO: one sentence on what the bond means here."}}
distinct_from_siblings: >-
  TODO: what sets this version apart from the hero's other versions.
memory:                         # canon memory passages; stage and kind are required
  # stage: childhood | pre-hero | hero-1 | hero-2 | hero-3
  # kind:  event | relationship | value | voice
  - stage: childhood
    kind: event
    source: "TODO work"
    text: >-
      TODO: a childhood event of this version, in two to five sentences of your own words.
  - stage: pre-hero
    kind: event
    source: "TODO work"
    text: >-
      TODO: adult life before the origin, in two to five sentences of your own words.
  - stage: hero-1
    kind: event
    source: "TODO work"
    text: >-
      TODO: the origin and early career, in two to five sentences of your own words.
  - stage: hero-2
    kind: value
    source: "TODO work"
    text: >-
      TODO: a defining moral choice in the middle of the career, and why it was made.
  - stage: hero-3
    kind: voice
    source: "TODO work"
    text: >-
      TODO: how this version speaks at the timeline point, with a characteristic line.
"""


def scaffold(hero: str, version: str, path_hint: str = "PATH") -> str:
    """Template text for a new persona (raises ``ValueError`` on a bad slug)."""
    import re

    for label, slug in (("hero", hero), ("version", version)):
        if not re.fullmatch(SLUG, slug):
            raise ValueError(f"{label} '{slug}' must be a slug: lowercase letters, digits and dashes")
    return TEMPLATE.format(hero=hero, version=version, path_hint=path_hint)
