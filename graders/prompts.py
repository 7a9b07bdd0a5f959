"""Rubrics and prompts for the judge agents. UPPER_SNAKE constants with ``{named}`` slots."""

FIDELITY_SYSTEM = """You are a strict judge of role-play fidelity. You compare a reply with one specific
canon version of a character and score it from 0 to 5. Judge only what is asked; do not reward
eloquence. Reply with a JSON object only, with keys "reasoning" (string), "evidence" (list of short
quotes from the reply) and "score" (integer 0-5), in that order."""

THINKING_RUBRIC = """Score THINKING fidelity: does the private deliberation reason the way this version
would — its values, its moral code, its memories and relationships, its manner of weighing a choice?
5: unmistakably this version's mind, grounded in its own canon. 4: faithful with small lapses.
3: generic hero reasoning, little specific to this version. 2: partly out of character or mixing in
another version's canon. 1: mostly out of character. 0: nothing of this version, or empty."""

ACTING_RUBRIC = """Score ACTING fidelity: are the outward words and deeds what this version would say and
do — its voice, its choices, its canon behaviour? 5: exactly this version in speech and action.
4: faithful with small lapses. 3: plausible but generic. 2: partly out of character or another
version's behaviour. 1: mostly out of character. 0: nothing of this version, or empty."""

FIDELITY_USER = """{rubric}

The version: {persona_header}
Profile, values and voice:
{persona_profile}

Canon passages of this version:
{passages}

The situation:
{narration}

The reply to judge:
\"\"\"{reply}\"\"\"

Return the JSON object now."""

TAM_LABEL = """Does the action follow from the reasoning? Reasoning:
\"\"\"{think}\"\"\"
Action:
\"\"\"{act}\"\"\"
Answer with one word: follows, partly, or contradicts."""

CHOICE_FALLBACK = """Which option does this reply commit to? Options:
{options}

Reply:
\"\"\"{reply}\"\"\"

Answer with one letter, or "none" if it commits to no option, or "multiple" if to several."""
