import json

from click.testing import CliRunner

from bow.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_help_lists_commands_and_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "models" in result.output and "Examples:" in result.output


def test_every_subcommand_help_has_an_example():
    for args in (["models", "--help"], ["models", "check", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Example" in result.output, args


def test_models_json_lists_every_backend():
    result = run("models", "--json")
    assert result.exit_code == 0
    names = {row["name"] for row in json.loads(result.output)}
    assert {"local", "scripted", "openai", "anthropic", "ollama", "hf"} <= names


def test_models_check_scripted(script_file):
    spec = script_file(["I am Steve Rogers, and I can do this all day."])
    result = run("models", "check", spec, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reply"].startswith("I am Steve Rogers") and data["output_tokens"] == 11


def test_global_model_option_is_the_default_for_check(script_file):
    spec = script_file(["From the global option."])
    result = run("-m", spec, "models", "check", "--json")
    assert json.loads(result.output)["reply"] == "From the global option."


def test_unknown_model_is_one_line_without_traceback():
    result = run("models", "check", "nosuch:thing")
    assert result.exit_code != 0
    assert "Unknown backend 'nosuch'" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_failing_model_is_one_line(script_file):
    spec = script_file([{"error": "bad_request"}])
    result = run("models", "check", spec)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: Model")


def test_bad_home_is_one_clear_line(tmp_path, script_file):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = run("--home", str(not_a_dir), "models", "check", script_file(["hi"]))
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"Error: BOW home '{not_a_dir}' is a file, not a directory. Pass --home DIR or set BOW_HOME."
    )
