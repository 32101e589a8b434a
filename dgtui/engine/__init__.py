"""The single writer: watch -> batch -> parse -> diff -> one transaction -> publish."""
