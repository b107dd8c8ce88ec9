"""The web side of khoibot (Telegram Mini Apps, issue 17): pages opened from a button in
Telegram, on the same services as the chat. A way in beside handlers/: it calls services/,
never the chat's handlers."""
