"""The choice extractor: worked examples and properties (hypothesis)."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bow.choices import extract_choice

OPTIONS = {
    "A": "You stayed with your aunt in Queens.",
    "B": "You moved to Wakanda with the royal family.",
    "C": "You enrolled at a boarding school in London.",
    "D": "You joined the circus as an acrobat.",
}


@pytest.mark.parametrize(
    "reply, choice, method",
    [
        ("Thinking it over... DECISION: C", "C", "marker"),
        ("Final answer: (B)", "B", "marker"),
        ("<think>Maybe A? No, D fits.</think>\nAnswer: D", "D", "marker"),
        ("<think>A or B...</think>I'd go with B, obviously.", "B", "stated"),
        ("A is tempting and so is C, but I choose C.", "C", "stated"),
        ("**B**", "B", "stated"),
        ("My answer would be A.", "A", "stated"),
        ("I stayed with my aunt in Queens, of course.", "A", "option-text"),
        ("I would pick both A and C.", "multiple", "stated"),
        ("None of these describe my life.", "none", "refusal"),
    ],
)
def test_worked_examples(reply, choice, method):
    found = extract_choice(reply, OPTIONS)
    assert (found.choice, found.method) == (choice, method)


def test_no_commitment_is_none_not_a_guess():
    assert extract_choice("Hmm. It was a long time ago and I cannot recall much.", OPTIONS) is None


def test_implicit_action_is_flagged_as_unsure():
    options = {"A": "Pull the hostage out of the burning car.", "B": "Chase the bomber down the highway."}
    found = extract_choice("I sprint to the burning car and drag the hostage clear of the flames.", options)
    assert found.choice == "A" and found.method == "implicit" and not found.confident


filler = st.text(alphabet=string.ascii_lowercase + " ,", max_size=200)
letters = st.sampled_from(sorted(OPTIONS))


@given(filler, letters, filler)
@settings(max_examples=200, deadline=None)
def test_a_final_marker_always_wins(before, letter, after):
    reply = f"{before}\nDECISION: {letter}\n{after.replace('decision', '')}"
    assert extract_choice(reply, OPTIONS).choice == letter


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_never_returns_a_letter_outside_the_options(reply):
    found = extract_choice(reply, {"A": "left", "B": "right"})
    assert found is None or found.choice in {"A", "B", "multiple", "none"}


@given(letters, st.sampled_from(["", "I think ", "Honestly, "]), st.booleans())
@settings(max_examples=100, deadline=None)
def test_restating_one_option_is_read_as_that_option(letter, lead, shout):
    text = OPTIONS[letter].replace("You ", "I ")
    reply = lead + (text.upper() if shout else text)
    assert extract_choice(reply, OPTIONS).choice == letter


@given(letters, filler)
@settings(max_examples=100, deadline=None)
def test_think_section_never_overrides_the_visible_answer(letter, noise):
    other = "A" if letter != "A" else "B"
    reply = f"<think>DECISION: {other} {noise}</think>Answer: {letter}"
    assert extract_choice(reply, OPTIONS).choice == letter
