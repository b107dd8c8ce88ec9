"""Pure domain logic of khoibot: no Telegram, no database."""
