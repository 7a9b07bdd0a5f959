import pytest

from bow.errors import ModelSetupError, ModelSpecError
from bow.models import registry
from bow.models.registry import build_chat_model
from bow.models.spec import ModelSpec, parse_spec


def test_parse_spec_variants():
    assert parse_spec("local") == ModelSpec("local")
    assert parse_spec("openai:gpt-4o-mini") == ModelSpec("openai", "gpt-4o-mini")
    assert parse_spec("hf:/models/x:y") == ModelSpec("hf", "/models/x:y")


@pytest.mark.parametrize("bad", ["", "openai", "scripted:", "bad spec!:x"])
def test_malformed_specs_are_rejected(bad):
    with pytest.raises(ModelSpecError):
        parse_spec(bad)


def test_unknown_provider_names_the_known_backends():
    with pytest.raises(ModelSpecError) as info:
        build_chat_model("nosuchprovider:model-x")
    assert "local" in str(info.value) and "openai" in str(info.value)


def test_missing_integration_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(registry, "missing_modules", lambda backend: ["langchain_anthropic"])
    with pytest.raises(ModelSetupError) as info:
        build_chat_model("anthropic:claude-x")
    assert "pip install 'beyond-one-world[anthropic]'" in str(info.value)


def test_missing_api_key_is_a_setup_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ModelSetupError) as info:
        build_chat_model("openai:gpt-4o-mini")
    assert "OPENAI_API_KEY" in str(info.value)


def test_missing_script_file(tmp_path):
    with pytest.raises(ModelSetupError) as info:
        build_chat_model(f"scripted:{tmp_path / 'nope.yaml'}")
    assert "not found" in str(info.value)


def test_garbled_script_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("replies: [unclosed")
    with pytest.raises(ModelSetupError) as info:
        build_chat_model(f"scripted:{bad}")
    assert "cannot be parsed" in str(info.value)
