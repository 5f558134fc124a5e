"""The school's own profile: its name, its own contact people, its protocol notes.

Device settings, not journal data: the acute flow shows the school's own
contacts without a passphrase, and a profile holds staff work contacts only,
never anything about pupils.  ``school.profile`` is the model and its rules,
``school.profile_file`` the shareable ``.stappenplan-school`` file,
``tools.school_yaml`` the YAML form the web build takes, ``school.store`` where
a device keeps it, ``school.placement`` which contacts the step plan shows where.
"""
