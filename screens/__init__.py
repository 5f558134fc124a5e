"""The Flet user interface: screens render state and call into content/, storage/ and report/.

``routes`` declares every screen once; ``screens.app.App`` holds a user's session and
draws the screen of a route; screens see the app only through
``context.AppContext``.
"""
