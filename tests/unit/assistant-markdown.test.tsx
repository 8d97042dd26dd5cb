import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import AssistantMarkdown from "@/components/chat/assistant-markdown";

// Model output is untrusted: it may carry HTML or links an attacker planted in a prompt.
const render = (text: string) => renderToStaticMarkup(createElement(AssistantMarkdown, { text }));

describe("assistant replies as Markdown", () => {
  it("renders code blocks with a copy button, lists and tables", () => {
    const html = render("Try:\n\n```js\nconsole.log(1)\n```\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    // Plain first (the highlighter loads with the first code block), labelled with its language.
    expect(html).toContain("<code>console.log(1)</code>");
    expect(html).toMatch(/>js<\/span>/);
    expect(html).toContain('aria-label="Copy code"');
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<table>");
  });

  it("highlights code by language, escaping the code itself; unknown languages stay plain", async () => {
    const { highlight } = await import("@/components/chat/highlight");
    const html = highlight('const tag = "<script>alert(1)</script>";', "ts")!;
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(highlight("x", "brainfuck")).toBeNull();
  });

  it("never renders raw HTML from the model", () => {
    const html = render('Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> <iframe src="https://evil.example"></iframe>');
    expect(html).not.toMatch(/<script|<img|<iframe|onerror/i);
  });

  it("drops javascript: links and opens others safely in a new tab", () => {
    const html = render("[safe](https://example.com) [evil](javascript:alert(1))");
    expect(html).not.toContain("javascript:");
    expect(html).toContain('href="https://example.com" target="_blank" rel="noopener noreferrer nofollow"');
  });
});
