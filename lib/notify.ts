/** The event a toast travels on, from anywhere in the app to the toast host in the layout. */
export const TOAST_EVENT = "app:toast";

/**
 * A success toast. Neither sonner nor its Toaster is part of any page's first load: the host
 * (components/shell/lazy-shell.tsx) loads them with the first toast.
 */
export function notify(message: string): void {
  window.dispatchEvent(new CustomEvent<string>(TOAST_EVENT, { detail: message }));
}
