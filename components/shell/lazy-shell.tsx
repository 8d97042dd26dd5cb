"use client";

import dynamic from "next/dynamic";
import { useEffect, useState } from "react";
import { TOAST_EVENT } from "@/lib/notify";

// Parts of the shell that load as their own chunks, only when needed: the root layout's client
// modules are otherwise downloaded by every page, and the pages have JavaScript budgets
// (landing and log-in 150 KB, /chat 220 KB). The menu's Radix popper and sonner would take
// most of them.

export const LazyUserMenu = dynamic(() => import("./user-menu").then((module) => module.UserMenu), {
  loading: () => <span className="size-8 rounded-full bg-muted" aria-hidden />,
});

const ToasterWithQueue = dynamic(() => import("./toaster-with-queue"));

/** Mounts sonner's Toaster with the first toast (lib/notify.ts) and hands it the messages. */
export function ToastHost() {
  const [messages, setMessages] = useState<string[]>([]);
  useEffect(() => {
    const onToast = (event: Event) => setMessages((current) => [...current, (event as CustomEvent<string>).detail]);
    window.addEventListener(TOAST_EVENT, onToast);
    return () => window.removeEventListener(TOAST_EVENT, onToast);
  }, []);
  return messages.length > 0 ? <ToasterWithQueue messages={messages} /> : null;
}
