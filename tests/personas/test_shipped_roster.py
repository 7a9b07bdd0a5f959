"""The shipped roster: 30 heroes x 3 versions, all valid, covering every life stage."""

from personas.lint import lint_paths
from personas.loader import SHIPPED_DIR, PersonaLibrary
from personas.schema import LifeStage


def test_roster_has_30_heroes_with_3_versions_each():
    library = PersonaLibrary.load()
    heroes = library.heroes()
    assert len(library) == 90
    assert len(heroes) == 30
    assert all(len(versions) == 3 for versions in heroes.values()), {h: len(v) for h, v in heroes.items()}


def test_every_shipped_file_passes_strict_lint():
    report = lint_paths([SHIPPED_DIR])
    problems = {str(f): r.errors + r.warnings for f, r in report.items() if r.errors or r.warnings}
    assert problems == {}


def test_cids_cover_the_benchmark_roster():
    cids = sorted(p.cid for p in PersonaLibrary.load() if p.cid is not None)
    assert cids == list(range(1, 91))


def test_every_version_covers_every_life_stage_with_20_passages():
    for persona in PersonaLibrary.load():
        stages = {m.stage for m in persona.memory}
        assert stages == set(LifeStage), persona.id
        assert len(persona.memory) >= 20, persona.id


def test_siblings_do_not_share_passages():
    for hero, versions in PersonaLibrary.load().heroes().items():
        texts = [{m.text for m in v.memory} for v in versions]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                assert not texts[i] & texts[j], f"{hero}: versions share a passage"
