import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { startFakeSmtp } from "../fakes/smtp-server";

// Email delivery through nodemailer to a real SMTP server on localhost (the `smtp-server`
// package), and the development fallback (console + /dev/mailbox) when SMTP_URL is unset.

const smtp = await startFakeSmtp();

afterAll(() => smtp.close());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const message = { to: "reader@example.com", subject: "Hello <there>", text: "Plain & simple", html: "<p>Plain &amp; simple</p>" };

describe("sendEmail", () => {
  it("delivers through SMTP_URL with a plain-text and an HTML part, from EMAIL_FROM", async () => {
    vi.stubEnv("SMTP_URL", smtp.url);
    vi.stubEnv("EMAIL_FROM", "Starter <no-reply@example.com>");
    const { sendEmail } = await import("@/lib/email/send");
    await sendEmail(message);
    const received = smtp.received.at(-1)!;
    expect(received).toMatchObject({ to: ["reader@example.com"], subject: "Hello <there>", text: "Plain & simple" });
    expect(received.from).toContain("no-reply@example.com");
    expect(received.html).toContain("<p>Plain &amp; simple</p>");
  });

  it("fails loudly when the SMTP server refuses the credentials", async () => {
    vi.stubEnv("SMTP_URL", smtp.url.replace("fake-smtp-password", "wrong-password"));
    vi.stubEnv("EMAIL_FROM", "no-reply@example.com");
    const { sendEmail } = await import("@/lib/email/send");
    const before = smtp.received.length;
    await expect(sendEmail(message)).rejects.toThrow(/Invalid username or password|auth/i);
    expect(smtp.received).toHaveLength(before);
  });

  it("without SMTP_URL in development, prints the message and keeps it for the dev mailbox", async () => {
    vi.stubEnv("SMTP_URL", "");
    vi.stubEnv("NODE_ENV", "development");
    const log = vi.spyOn(console, "info").mockImplementation(() => {});
    const { sendEmail } = await import("@/lib/email/send");
    const { devMailbox } = await import("@/lib/email/dev-mailbox");
    const before = smtp.received.length;
    await sendEmail({ ...message, subject: "Dev only" });
    expect(devMailbox()[0]).toMatchObject({ to: "reader@example.com", subject: "Dev only" });
    expect(log.mock.calls.flat().join(" ")).toContain("Plain & simple");
    expect(smtp.received).toHaveLength(before);
    log.mockRestore();
  });
});

describe("link emails", () => {
  it("escape what they interpolate in the HTML part", async () => {
    const { linkMessage } = await import("@/lib/email/message");
    const mail = linkMessage({
      to: "a@example.com",
      subject: "s",
      intro: "<b>hi</b>",
      action: "Go",
      url: 'https://x.example/?a=1&b="2"',
      outro: "o",
    });
    expect(mail.html).toContain("&lt;b&gt;hi&lt;/b&gt;");
    expect(mail.html).toContain('href="https://x.example/?a=1&amp;b=&quot;2&quot;"');
    expect(mail.text).toContain('https://x.example/?a=1&b="2"');
  });
});
