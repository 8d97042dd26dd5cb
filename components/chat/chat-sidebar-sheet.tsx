"use client";

import { PanelLeftIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { ConversationList } from "./conversation-list";

/** On a phone the conversation list is a sheet from the left, opened from the chat's top bar. */
export function ChatSidebarSheet() {
  const [open, setOpen] = useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon-sm" className="md:hidden" aria-label="Show conversations">
          <PanelLeftIcon aria-hidden />
        </Button>
      </SheetTrigger>
      <SheetContent side="left" className="gap-0 p-0">
        <SheetHeader className="border-b">
          <SheetTitle>Conversations</SheetTitle>
          <SheetDescription className="sr-only">Open, rename or delete a conversation</SheetDescription>
        </SheetHeader>
        <ConversationList onNavigate={() => setOpen(false)} />
      </SheetContent>
    </Sheet>
  );
}
