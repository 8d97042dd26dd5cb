"use client";

import { useEffect, useState, type ComponentProps, type ReactElement } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { CopyButton } from "./copy-button";

// Model output as Markdown (GitHub flavour). Raw HTML in it is dropped, never rendered, and
// react-markdown's URL filter drops javascript: and other unsafe links. Loaded lazily by the
// chat window with the first reply, so the chat page's first load stays small; the
// highlighter loads later still, with the first code block.

type Highlighter = typeof import("./highlight").highlight;
let highlighterPromise: Promise<Highlighter> | undefined;
const loadHighlighter = () => (highlighterPromise ??= import("./highlight").then((module) => module.highlight));

function useHighlighter(wanted: boolean): Highlighter | null {
  const [highlighter, setHighlighter] = useState<Highlighter | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    void loadHighlighter().then((loaded) => live && setHighlighter(() => loaded));
    return () => {
      live = false;
    };
  }, [wanted]);
  return highlighter;
}

function CodeBlock({ children, ...props }: ComponentProps<"pre">) {
  // react-markdown renders ```lang fences as <pre><code class="language-lang">…</code></pre>.
  const code = children as ReactElement<{ className?: string; children?: unknown }> | undefined;
  const language = /language-([\w+-]+)/.exec(code?.props?.className ?? "")?.[1]?.toLowerCase() ?? "";
  const text = String(code?.props?.children ?? "").replace(/\n$/, "");
  const highlighter = useHighlighter(Boolean(language));
  const html = highlighter ? highlighter(text, language) : null;
  return (
    <div className="my-3 overflow-hidden rounded-lg border bg-code" data-testid="code-block">
      <div className="flex items-center justify-between border-b bg-muted/60 py-1 pr-1 pl-3">
        <span className="font-mono text-xs text-muted-foreground">{language || "text"}</span>
        <CopyButton text={() => text} label="Copy code" />
      </div>
      <pre {...props} tabIndex={0}>
        {html !== null ? <code className={`language-${language}`} dangerouslySetInnerHTML={{ __html: html }} /> : <code>{text}</code>}
      </pre>
    </div>
  );
}

function Table(props: ComponentProps<"table">) {
  return (
    <div className="my-3 overflow-x-auto rounded-lg border" tabIndex={0}>
      <table {...props} />
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
  table: (props) => <Table {...domProps(props)} />,
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
