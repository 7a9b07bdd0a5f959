"""``bow data pull``: fetch the benchmark's files from the Hugging Face hub, then import them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bow.errors import BowError

REPOS = (
    "augustus2011/beyond_one_world-dilemma",
    "augustus2011/beyond_one_world-cannon",
    "augustus2011/beyond_one_world-heros",
)
WANTED = ("heros_profile_aa.csv", "characters_canon_events.json", "character_dilemmas.json")


def pull(target: Path, snapshot_download: Callable[..., Any] | None = None) -> Path:
    """Download the three dataset repos and gather the dataset's files in ``target``.

    ``snapshot_download`` can be injected (tests pass a local stand-in); by default it
    is ``huggingface_hub.snapshot_download``. Offline, this raises one clear error.
    """
    if snapshot_download is None:
        try:
            from huggingface_hub import snapshot_download as hub_download
        except ImportError:
            raise BowError("Downloading needs huggingface_hub.", "pip install huggingface_hub") from None
        snapshot_download = hub_download
    target.mkdir(parents=True, exist_ok=True)
    for repo in REPOS:
        try:
            folder = Path(
                snapshot_download(repo_id=repo, repo_type="dataset", local_dir=str(target / repo.split("/")[1]))
            )  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - network, auth and hub errors all end here
            raise BowError(
                f"Cannot download {repo} from the Hugging Face hub ({type(exc).__name__}); are you offline?",
                "Or import a local copy: bow import bow DIR",
            ) from None
        for name in WANTED:
            found = next(iter(sorted(folder.rglob(name))), None)
            if found is not None and found.parent != target:
                shutil.copyfile(found, target / name)
    missing = [name for name in WANTED if not (target / name).is_file()]
    if missing:
        raise BowError(f"The downloaded repos did not contain {', '.join(missing)}.", "Import a local copy instead.")
    return target
