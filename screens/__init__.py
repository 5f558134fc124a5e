"""The Flet user interface: screens render state and call into content/ and storage/."""
