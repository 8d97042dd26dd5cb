"use client";

import { useEffect, useRef } from "react";
import { toast } from "sonner";
import { Toaster } from "@/components/ui/sonner";

/** The Toaster plus the messages that arrived before it was loaded (sonner does not replay them). */
export default function ToasterWithQueue({ messages }: { messages: string[] }) {
  const shown = useRef(0);
  // Runs after the Toaster's own effect (children first), so it is subscribed by now.
  useEffect(() => {
    for (const message of messages.slice(shown.current)) toast.success(message);
    shown.current = messages.length;
  }, [messages]);
  return <Toaster position="top-center" />;
}
