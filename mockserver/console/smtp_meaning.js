// What SMTP reply codes (RFC 5321 section 4.2) and enhanced status codes (RFC 3463) mean, in
// words, for the transcripts of the console.

const replyCodes = {
  211: "system status", 214: "help message", 220: "service ready", 221: "closing the connection",
  235: "authentication succeeded (RFC 4954)", 250: "requested action completed",
  251: "user not local; will forward", 252: "cannot verify the user, will try delivery",
  334: "authentication challenge (RFC 4954)", 354: "start the message; end with <CRLF>.<CRLF>",
  421: "service not available, closing the connection", 450: "mailbox unavailable (busy or blocked), try again later",
  451: "local error in processing, try again later", 452: "insufficient storage, try again later",
  454: "TLS or authentication temporarily unavailable", 455: "server unable to accommodate parameters",
  500: "syntax error, command unrecognised", 501: "syntax error in parameters", 502: "command not implemented",
  503: "bad sequence of commands", 504: "parameter not implemented", 530: "authentication required (RFC 4954)",
  535: "authentication credentials invalid (RFC 4954)", 550: "mailbox unavailable: not found, no access or policy",
  551: "user not local", 552: "exceeded storage allocation", 553: "mailbox name not allowed",
  554: "transaction failed", 555: "MAIL/RCPT parameters not recognised",
};

const classes = { 2: "success", 4: "persistent transient failure", 5: "permanent failure" };
const subjects = {
  0: "other or undefined status", 1: "addressing", 2: "mailbox", 3: "mail system", 4: "network and routing",
  5: "mail delivery protocol", 6: "message content or media", 7: "security or policy",
};
const details = {
  "1.0": "other address status", "1.1": "bad destination mailbox address", "1.2": "bad destination system address",
  "1.3": "bad destination mailbox address syntax", "1.6": "destination mailbox has moved",
  "1.7": "bad sender's mailbox address syntax", "1.8": "bad sender's system address",
  "2.0": "other or undefined mailbox status", "2.1": "mailbox disabled, not accepting messages",
  "2.2": "mailbox full", "2.3": "message length exceeds administrative limit", "2.4": "mailing list expansion problem",
  "3.0": "other or undefined mail system status", "3.1": "mail system full", "3.2": "system not accepting network messages",
  "3.3": "system not capable of selected features", "3.4": "message too big for system",
  "4.0": "other or undefined network or routing status", "4.1": "no answer from host", "4.2": "bad connection",
  "4.3": "directory server failure", "4.4": "unable to route", "4.5": "mail system congestion",
  "4.7": "delivery time expired", "5.0": "other or undefined protocol status", "5.1": "invalid command",
  "5.2": "syntax error", "5.3": "too many recipients", "5.4": "invalid command arguments", "5.5": "wrong protocol version",
  "6.0": "other or undefined media error", "7.0": "other or undefined security status",
  "7.1": "delivery not authorized, message refused", "7.8": "authentication credentials invalid",
  "7.9": "authentication mechanism is too weak", "7.11": "encryption required",
};

/** The meaning of a server reply line such as "550 5.1.1 no such user", or "". */
export function replyMeaning(text) {
  const m = /^([2-5]\d\d)[ -](?:([245])\.(\d{1,3})\.(\d{1,3})\b)?/.exec(text);
  if (!m) return "";
  const code = Number(m[1]);
  const parts = [replyCodes[code] ?? `${classes[m[1][0]] ?? "reply"} ${code}`];
  if (m[2]) {
    const key = `${m[3]}.${m[4]}`;
    parts.push(`${m[2]}.${key}: ${classes[m[2]]}, ${details[key] ?? subjects[m[3]] ?? "unknown subject"}`);
  }
  return parts.join("; ");
}

const verbs = {
  EHLO: "ehlo", HELO: "helo", STARTTLS: "starttls", AUTH: "auth", MAIL: "mail", RCPT: "rcpt",
  DATA: "data", RSET: "rset", NOOP: "noop", VRFY: "vrfy", QUIT: "quit",
};

/** The SMTP phase a client line starts, or undefined. */
export function phaseOfCommand(text) {
  const verb = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase();
  return verb ? verbs[verb] : undefined;
}
