"""Services: the decisions under the chat. One module per feature; each function takes a
transaction (a Session, opened and committed by the caller) and plain arguments (who, which
unit, what they chose), decides, writes, and returns a small typed outcome or a typed refusal.
They import neither Telegram nor the web: a handler parses the update, calls one service
inside one transaction (``handlers.common.transaction``), renders the outcome and sends it."""
