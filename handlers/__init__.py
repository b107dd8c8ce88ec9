"""Telegram-facing handlers, one module per feature. What answers which update (commands,
button kinds, reply actions, deep links, jobs) is listed in one place, handlers/routes.py;
``register`` wires it up."""
