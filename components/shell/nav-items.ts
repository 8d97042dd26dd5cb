/** The header's sections, shared by the desktop bar and the phone sheet. */
export type NavItem = { href: string; label: string };

export function navItems(signedIn: boolean, isAdmin: boolean): NavItem[] {
  if (!signedIn) return [{ href: "/pricing", label: "Pricing" }];
  return [
    { href: "/chat", label: "Chat" },
    { href: "/tools/summarize", label: "Summarize" },
    { href: "/tools/rewrite", label: "Rewrite" },
    { href: "/pricing", label: "Pricing" },
    ...(isAdmin ? [{ href: "/admin", label: "Admin" }] : []),
  ];
}
