"""The app's words, below everything that speaks to a user: gettext set-up and the
session's language (``i18n``), the vocabularies' labels (``labels``), dates, times and
opening hours in words (``formatting``) and what is wrong with a school profile
(``school_profile``).  ``screens/``, ``report/``, ``letters/`` and the build tools import
them from here; nothing here imports those."""
