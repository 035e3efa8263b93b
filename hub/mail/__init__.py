"""E-mail: messages queued in an outbox with what caused them, delivered by SMTP by a job."""
