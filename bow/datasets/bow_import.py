"""Import the Beyond One World dataset (the paper authors' files) as BOW scenarios and suites.

Reads ``heros_profile_aa.csv``, ``characters_canon_events.json`` and
``character_dilemmas.json``; links items to personas by CID; repairs what can be
repaired faithfully and skips the rest, each with a reason. Nothing vanishes
silently: every item ends up imported, repaired or skipped in the report.
The output goes to the BOW home (user data), never into the project.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bow.datasets.cleaning import answer_letter, clean_text, name_key, parse_attributes, parse_source, split_option
from bow.errors import BowError

FILES = ("heros_profile_aa.csv", "characters_canon_events.json", "character_dilemmas.json")
STAGES = {"Childhood": "childhood", "Pre-Hero": "pre-hero", "Hero1": "hero-1", "Hero2": "hero-2", "Hero3": "hero-3"}
DILEMMA_TYPES = {
    "save the one you love vs. save the greater good": "save-the-one-you-love-vs-greater-good",
    "hero or villain": "hero-or-villain",
    "duty vs. personal desire": "duty-vs-personal-desire",
    "the ends justify the means vs. moral code": "ends-justify-means-vs-moral-code",
}
SUITES = {
    "bow-canon": ("The benchmark's canon-event questions, 5 life stages for 90 hero versions.", "bow/canon/*"),
    "bow-dilemmas": ("The benchmark's moral dilemmas, 4 types x 3 for 90 hero versions.", "bow/dilemma/*"),
}


@dataclass
class ImportReport:
    """Counts and reasons, per kind of item."""

    personas: dict[str, Any] = field(default_factory=dict)
    canon: dict[str, Any] = field(default_factory=lambda: {"total": 0, "imported": 0, "repaired": [], "skipped": []})
    dilemmas: dict[str, Any] = field(default_factory=lambda: {"total": 0, "imported": 0, "repaired": [], "skipped": []})
    output: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"personas": self.personas, "canon": self.canon, "dilemmas": self.dilemmas, "output": self.output}


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BowError(f"{path}: cannot be read as JSON ({exc}).") from None


def read_profiles(path: Path) -> dict[int, dict[str, Any]]:
    """CID → cleaned profile row (name, sources, attributes)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    profiles = {}
    for row in rows:
        cid = int(str(row["CID"]).strip())
        profiles[cid] = {
            "uid": int(str(row["UID"]).strip()),
            "name": clean_text(row["Name"]),
            "sources": parse_source(row["Source"]),
            "attributes": parse_attributes(row["Attributes"]),
        }
    return profiles


def _looks_like_stem(text: str) -> bool:
    return text.rstrip().endswith("?") or len(text.split()) >= 6


def canon_item(raw: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """Normalise one canon question: ``(item, repair_note, skip_reason)``."""
    question = clean_text(raw.get("question") or "")
    parsed = [split_option(o) for o in raw.get("options") or []]
    lettered = [(letter, text) for letter, text in parsed if letter]
    loose = [text for letter, text in parsed if letter is None and text.strip("/n ")]
    notes = []
    if not lettered and len(loose) == 4:
        lettered, loose = list(zip("ABCD", loose, strict=True)), []
        notes.append("unlettered options lettered A-D in order")
    letters = [letter for letter, _ in lettered]
    if len(letters) > 4:
        return None, None, f"{len(parsed)} option entries hold several questions merged into one item"
    if sorted(letters) != ["A", "B", "C", "D"]:
        return None, None, f"{len(letters)} lettered options ({', '.join(letters) or 'none'}); need exactly A-D"
    for text in loose:
        if _looks_like_stem(text):
            question = f"{question}\n{text}".strip() if question else text
            notes.append("question stem moved out of the options")
        else:
            notes.append(f"source tag '{text[:40]}' dropped from the options")
    answer = answer_letter(raw.get("correct_answer"))
    if answer is None:
        return None, None, f"correct answer {raw.get('correct_answer')!r} is not a letter A-D"
    if len(question) < 10:
        return None, None, "no question text"
    options = dict(lettered)
    if len({o.lower() for o in options.values()}) != 4:
        return None, None, "options are not four different answers"
    item = {"question": question, "options": options, "answer": answer}
    return item, "; ".join(notes) or None, None


def dilemma_type(raw: str) -> tuple[str | None, str | None]:
    """``"Hero or Villain_2"`` → ``("hero-or-villain", "2")``."""
    text = clean_text(raw)
    base, _, suffix = text.rpartition("_") if re.search(r"_\d+$", text) else (text, "", "")
    return DILEMMA_TYPES.get(base.strip().lower()), suffix or None


def import_bow(source: Path, output: Path, persona_by_cid: dict[int, str]) -> ImportReport:
    """Read the three files in ``source``; write scenario files and suites under ``output``."""
    missing = [name for name in FILES if not (source / name).is_file()]
    if missing:
        raise BowError(f"{source} lacks {', '.join(missing)}.", "Point at the folder holding the dataset's files.")
    report = ImportReport(output=str(output))
    profiles = read_profiles(source / FILES[0])
    linked = {cid: persona_by_cid[cid] for cid in profiles if cid in persona_by_cid}
    report.personas = {
        "total": len(profiles),
        "linked": len(linked),
        "unlinked": sorted(set(profiles) - set(linked)),
    }
    canon_files = _import_canon(_load_json(source / FILES[1]), linked, report)
    dilemma_files = _import_dilemmas(_load_json(source / FILES[2]), linked, report)
    _write(output, canon_files, dilemma_files, sorted(linked.values()))
    (output / "import-report.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    return report


def _import_canon(data: list[dict[str, Any]], linked: dict[int, str], report: ImportReport) -> dict[int, list]:
    files: dict[int, list] = {}
    for character in data:
        cid = int(character["CID"])
        for stage_name, items in (character.get("Events") or {}).items():
            stage = STAGES.get(clean_text(stage_name))
            for index, raw in enumerate(items or [], start=1):
                report.canon["total"] += 1
                ref = f"CID {cid} {stage_name} #{index}"
                if cid not in linked:
                    report.canon["skipped"].append({"item": ref, "reason": f"no persona has CID {cid}"})
                    continue
                if stage is None:
                    report.canon["skipped"].append({"item": ref, "reason": f"unknown life stage {stage_name!r}"})
                    continue
                item, note, reason = canon_item(raw)
                if item is None:
                    report.canon["skipped"].append({"item": ref, "reason": reason})
                    continue
                scenario_id = f"bow/canon/{cid}/{stage}-{index}"
                files.setdefault(cid, []).append(
                    {
                        "id": scenario_id,
                        "kind": "canon-event",
                        "target": {"persona": linked[cid]},
                        "tags": ["bow-benchmark", f"cid-{cid}"],
                        "stage": stage,
                        **item,
                    }
                )
                report.canon["imported"] += 1
                if note:
                    report.canon["repaired"].append({"item": ref, "repair": note})
    return files


def _import_dilemmas(data: list[dict[str, Any]], linked: dict[int, str], report: ImportReport) -> dict[int, list]:
    files: dict[int, list] = {}
    seen: set[str] = set()
    for number, raw in enumerate(data, start=1):
        report.dilemmas["total"] += 1
        cid = int(raw.get("CID", -1))
        ref = f"dilemma #{number} (CID {cid}, {raw.get('dilemma_type')})"
        kind, suffix = dilemma_type(str(raw.get("dilemma_type", "")))
        fields = [clean_text(raw.get(k) or "") for k in ("situation", "choice_A", "choice_B")]
        if cid not in linked:
            report.dilemmas["skipped"].append({"item": ref, "reason": f"no persona has CID {cid}"})
            continue
        if kind is None:
            report.dilemmas["skipped"].append(
                {"item": ref, "reason": f"unknown dilemma type {raw.get('dilemma_type')!r}"}
            )
            continue
        if not all(fields) or len(fields[0]) < 20:
            report.dilemmas["skipped"].append({"item": ref, "reason": "situation or a choice is empty"})
            continue
        scenario_id = f"bow/dilemma/{cid}/{kind}-{suffix or raw.get('iteration', number)}"
        if scenario_id in seen:
            scenario_id = f"{scenario_id}-{number}"
        seen.add(scenario_id)
        consequences = {
            "A": clean_text(raw.get("consequence_A") or ""),
            "B": clean_text(raw.get("consequence_B") or ""),
        }
        item = {
            "id": scenario_id,
            "kind": "moral-dilemma",
            "target": {"persona": linked[cid]},
            "tags": ["bow-benchmark", f"cid-{cid}", f"iteration-{raw.get('iteration')}"],
            "dilemma_type": kind,
            "situation": fields[0],
            "choices": {"A": fields[1], "B": fields[2]},
        }
        if all(consequences.values()):
            item["consequences"] = consequences
        files.setdefault(cid, []).append(item)
        report.dilemmas["imported"] += 1
    return files


def _write(output: Path, canon: dict[int, list], dilemmas: dict[int, list], persona_ids: list[str]) -> None:
    for sub, files in (("canon", canon), ("dilemmas", dilemmas)):
        folder = output / sub
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            old.unlink()  # a re-import replaces the previous one wholesale
        for cid, items in sorted(files.items()):
            text = yaml.safe_dump({"scenarios": items}, sort_keys=False, allow_unicode=True, width=100)
            (folder / f"{cid:03d}.yaml").write_text(text, encoding="utf-8")
    suites = output / "suites"
    suites.mkdir(parents=True, exist_ok=True)
    for suite_id, (description, pattern) in SUITES.items():
        suite = {"id": suite_id, "description": description, "personas": persona_ids, "scenarios": [pattern]}
        (suites / f"{suite_id}.yaml").write_text(yaml.safe_dump(suite, sort_keys=False), encoding="utf-8")


def persona_cids(library: Any) -> dict[int, str]:
    """CID → persona id for every persona that declares a CID."""
    return {p.cid: p.id for p in library if p.cid is not None}


def check_names(profiles: dict[int, dict[str, Any]], library: Any) -> list[str]:
    """Warnings where a CID's dataset name does not resemble the linked persona's name."""
    by_cid = {p.cid: p for p in library if p.cid is not None}
    warnings = []
    for cid, profile in profiles.items():
        persona = by_cid.get(cid)
        words = (
            {w for w in name_key(f"{persona.name} {persona.alias or ''}").split() if len(w) > 3} if persona else set()
        )
        if persona and not words & set(name_key(profile["name"]).split()):
            warnings.append(f"CID {cid}: dataset name {profile['name']!r} vs persona {persona.display_name!r}")
    return warnings
