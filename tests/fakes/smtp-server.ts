// A real SMTP server on localhost for tests (the `smtp-server` package): it requires AUTH like a
// provider does, refuses a wrong password, parses each message (mailparser) and records it.
// An HTTP endpoint lets Playwright tests (another process) read what it received. Never
// imported by product code: the app reaches it through SMTP_URL.
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type ReceivedEmail = { from: string; to: string[]; subject: string; text: string; html: string; receivedAt: string };

export const FAKE_SMTP_USER = "fake-smtp-user";
export const SLOW_MAIL_MS = 600;

export async function startFakeSmtp({
  port = 0,
  controlPort,
  password = "fake-smtp-password",
}: { port?: number; controlPort?: number; password?: string } = {}) {
  const received: ReceivedEmail[] = [];
  const smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true, // localhost only; a provider would insist on TLS
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === FAKE_SMTP_USER && auth.password === password) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      // A recipient with "+slowmail" in the address: the server takes SLOW_MAIL_MS to accept the
      // message, as a provider under load does (tests measure that no answer waits for it).
      const slow = session.envelope.rcptTo.some((rcpt) => rcpt.address.toLowerCase().includes("+slowmail"));
      simpleParser(stream)
        .then(async (mail) => {
          if (slow) await new Promise((resolve) => setTimeout(resolve, SLOW_MAIL_MS));
          return mail;
        })
        .then((mail) => {
          received.push({
            from: mail.from?.text ?? "",
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let control: Server | undefined;
  if (controlPort !== undefined) {
    control = createHttpServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const to = url.searchParams.get("to")?.toLowerCase();
      const messages = received.filter((mail) => !to || mail.to.includes(to));
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(messages));
    });
    await new Promise<void>((resolve) => control!.listen(controlPort, "127.0.0.1", resolve));
  }

  return {
    received,
    url: `smtp://${FAKE_SMTP_USER}:${password}@127.0.0.1:${smtpPort}`,
    port: smtpPort,
    async close() {
      control?.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
