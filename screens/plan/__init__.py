"""The screens that work without a journal: home, the acute flow, the steps, help lines,
organisations, about and the app's settings."""
