"""The code under test: a tiny function that sends a welcome mail and says what happened."""

import smtplib


def send_welcome(host, port, to, timeout=5):
    """Sends the welcome mail to `to`; returns "sent", "retry" (the server said try later),
    "rejected" (the server refused for good) or "unreachable"."""
    body = (f"From: welcome@app.example\r\nTo: {to}\r\nSubject: Welcome!\r\n\r\n"
            "Thanks for signing up.\r\n")
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.sendmail("welcome@app.example", [to], body)
        return "sent"
    except smtplib.SMTPRecipientsRefused as e:
        code = next(iter(e.recipients.values()))[0]
        return "retry" if 400 <= code < 500 else "rejected"
    except smtplib.SMTPResponseException as e:
        return "retry" if 400 <= e.smtp_code < 500 else "rejected"
    except (smtplib.SMTPServerDisconnected, OSError):
        return "unreachable"
