"""Finding normative statements in English and Chinese text."""
