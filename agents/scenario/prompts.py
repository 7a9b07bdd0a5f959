"""Prompts for the scenario graph. UPPER_SNAKE constants with ``{named}`` slots."""

BEAT = """{narration}

Your options:
{options}"""

CONSEQUENCES = """What each option risks:
{consequences}"""

THINK = """Before you act, think privately, in character and in the first person: what you feel,
what you remember from your own life that bears on this, and what each option would cost the
people involved. This is your inner voice; nobody else will hear it. Do not announce a final
decision yet. A short paragraph or two."""

ACT = """Your private thoughts just now were:
\"\"\"{think}\"\"\"

Now act. In character, say and do what you do, in a few sentences; let it follow from what
you were thinking. Finish with one line of the form "DECISION: X", where X is one of {letters}{other}."""

ACT_DIRECT = """In character, say and do what you do, in a few sentences. Finish with one line of
the form "DECISION: X", where X is one of {letters}{other}."""

COT = """Let's think step by step, in character. First write your reasoning. Then write a line
"FINAL:" followed by what you say and do, in a few sentences, and finish with one line of the
form "DECISION: X", where X is one of {letters}{other}."""

OTHER_OPTION = ', or "DECISION: OTHER: <your action>" if you do neither'

CANON_QUESTION = """Someone asks you about your own life:
{question}"""

REPAIR = """Your last reply did not end with a clear decision. Reply with one line only:
"DECISION: X", where X is one of {letters}{other}."""

FOLLOW_UP = """{consequence}

That is what your choice has set in motion, and there is still a moment to change course."""

FOLLOW_UP_OTHER = """What you did sets its own consequences in motion, and there is still a moment to change course."""

STAND_BY = "Stand by what you chose and face what follows."

CHANGE_COURSE = "Change course and take the other path, whatever it costs now."

NARRATOR = """You are the narrator of an interactive story about {display_name}. Write the next beat
in the second person, 60-120 words, present tense. Follow the script's beat faithfully, adapting
it to what the hero just did. Do not decide for the hero.

What the hero did: {act}

The script's next beat:
{beat}"""
