"""The plan's follow-up: assignments, unit reports, deadlines and reminders."""
