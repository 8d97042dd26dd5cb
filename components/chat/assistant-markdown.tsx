"use client";

import { useState, type ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

// Model output as Markdown (GitHub flavour). Raw HTML in it is dropped, never rendered, and
// react-markdown's URL filter drops javascript: and other unsafe links. Loaded lazily by the
// chat window, so the chat page's first load stays small.

function CodeBlock({ children, ...props }: ComponentProps<"pre">) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="code-block">
      <button
        type="button"
        className="copy-button"
        onClick={(event) => {
          const code = event.currentTarget.parentElement?.querySelector("pre")?.textContent ?? "";
          void navigator.clipboard?.writeText(code).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <pre {...props}>{children}</pre>
    </div>
  );
}

/** react-markdown hands each component its syntax-tree `node`; it must not reach the DOM. */
function domProps<T extends { node?: unknown }>(props: T): Omit<T, "node"> {
  const rest = { ...props };
  delete rest.node;
  return rest;
}

const components: Components = {
  pre: (props) => <CodeBlock {...domProps(props)} />,
  a: (props) => <a {...domProps(props)} target="_blank" rel="noopener noreferrer nofollow" />,
};

export default function AssistantMarkdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
