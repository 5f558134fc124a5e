"""Brieven en berichten: the letters and messages steps 2, 4 and 5 ask for.

``letters.templates`` loads and checks the templates (``content/data/brieven.*.yaml``),
``letters.render`` fills one from the school profile and the incident,
``letters.suggest`` says which letters an incident calls for (and for which
pupils not, the LET OP of step 4), ``letters.privacy`` finds the names of
the incident's pupils in a letter before it leaves the app,
``letters.export`` writes .docx, PDF and plain text, and ``letters.record``
words what the journal keeps of a sent letter.
"""
