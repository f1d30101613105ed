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

const rfc5321 = "RFC 5321";
const phaseRules = {
  dns: `${rfc5321} §5.1: the client looks up the domain's MX records, then the addresses of the host it picks.`,
  connect: `${rfc5321} §4.3.1: the client opens a TCP connection (port 25, 587 for submission, 465 with TLS) and waits for the server to speak first.`,
  tls: "RFC 3207 §4 and RFC 8314: the TLS handshake must succeed, and the certificate verify, before anything else is said.",
  banner: `${rfc5321} §3.1 and §4.3.1: the server speaks first, with 220; the client waits for it, up to 5 minutes (§4.5.3.2.1).`,
  ehlo: `${rfc5321} §4.1.1.1: EHLO names the client; the 250 reply lists the extensions; on 500 or 502 a client may fall back to HELO (§3.2).`,
  helo: `${rfc5321} §4.1.1.1: HELO is the old greeting, without extensions.`,
  starttls: "RFC 3207 §4: 220 means start the TLS handshake now; 454 means TLS is not available now.",
  auth: "RFC 4954 §4 and §6: 235 authenticated, 334 a challenge, 535 wrong credentials, 454 a temporary failure.",
  mail: `${rfc5321} §4.1.1.2: MAIL FROM starts a transaction; the client waits up to 5 minutes for the reply (§4.5.3.2.2).`,
  rcpt: `${rfc5321} §4.1.1.3: one RCPT TO per recipient, each answered; up to 5 minutes for the reply (§4.5.3.2.3).`,
  data: `${rfc5321} §4.1.1.4: DATA is answered 354, an invitation to send the message; up to 2 minutes for it (§4.5.3.2.4).`,
  body: `${rfc5321} §4.5.2: the message goes line by line, a leading dot doubled; each block within 3 minutes (§4.5.3.2.5).`,
  data_end: `${rfc5321} §4.1.1.4: a line with a single dot ends the message; the server may take up to 10 minutes to answer it (§4.5.3.2.6), and only its 250 means the message is taken.`,
  rset: `${rfc5321} §4.1.1.5: RSET abandons the transaction; the reply is 250.`,
  noop: `${rfc5321} §4.1.1.9: NOOP does nothing; the reply is 250.`,
  vrfy: `${rfc5321} §4.1.1.6 and §3.5.3: 250 or 251 verified, 252 cannot verify but will try delivery.`,
  quit: `${rfc5321} §4.1.1.10: QUIT is answered 221, then the server closes the connection.`,
  verify: "RFC 1939 (POP3) and RFC 3501 (IMAP): the message is fetched back from the mailbox it was delivered to.",
};

/** What the RFCs say about a phase, in one or two sentences, or "". */
export function phaseRule(phase) {
  return phaseRules[phase] ?? "";
}

const kinds = {
  dns_error: "the name could not be resolved",
  refused: "nothing listens on the port: the connection was refused at once",
  unreachable: "no route to the server",
  timeout: "nothing (or not enough) came before the deadline",
  closed: "the server closed the connection before a complete reply",
  reset: "the connection was reset (RST)",
  temp_failure: "a 4xx reply: a temporary failure, a sender tries again later",
  perm_failure: "a 5xx reply: a permanent failure, a sender gives up and bounces",
  unexpected_reply: "a well-formed reply, but not the one expected",
  protocol_error: "a malformed reply: bad code, broken multi-line or over-long line",
  tls_error: "the TLS handshake or the certificate check failed",
  capability_missing: "the server does not offer what is needed (e.g. no STARTTLS)",
  blocklisted: "a rejection naming a DNS blocklist",
  slow: "it worked, but took longer than the threshold",
  cert_expiring: "the certificate expires soon",
  not_delivered: "the message never arrived in the mailbox",
};

/** What a failure kind (the probe's word) means, or "". */
export function kindMeaning(kind) {
  return kinds[kind] ?? "";
}
