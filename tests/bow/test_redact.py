"""Secrets never reach disk: environment values, key-shaped strings and secret-named fields are masked."""

from bow.redact import MASK, redact, redact_text


def test_environment_secrets_and_key_shapes_are_masked(monkeypatch):
    monkeypatch.setenv("MYPROVIDER_API_KEY", "plain-value-1234567")
    text = "key plain-value-1234567 and sk-abcdefghijklmnop1234 and Bearer abc.def.ghijklmnop"
    masked = redact_text(text)
    assert "plain-value-1234567" not in masked and "sk-abcdefghijklmnop" not in masked
    assert "ghijklmnop" not in masked and masked.count(MASK) == 3


def test_nested_records_keep_their_shape_and_mask_secret_fields(monkeypatch):
    monkeypatch.setenv("OTHER_TOKEN", "tok-0123456789")
    record = {
        "api_key": "anything",
        "params": {"temperature": 0.2, "password": "hunter22", "empty_token": ""},
        "turns": [{"act": "I said tok-0123456789 aloud", "n": 3}, ("tuple", None)],
    }
    out = redact(record)
    assert out["api_key"] == MASK and out["params"]["password"] == MASK
    assert out["params"]["temperature"] == 0.2 and out["params"]["empty_token"] == ""
    assert out["turns"][0] == {"act": f"I said {MASK} aloud", "n": 3} and out["turns"][1] == ["tuple", None]


def test_a_secret_set_after_an_earlier_call_is_still_masked(monkeypatch):
    assert redact({"a": "nothing here"}) == {"a": "nothing here"}
    monkeypatch.setenv("LATE_SECRET", "late-secret-value")
    assert redact({"a": "late-secret-value"}) == {"a": MASK}
