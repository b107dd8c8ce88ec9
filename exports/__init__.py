"""Documents and spreadsheets generated from the data; pure: no Telegram, no database."""
