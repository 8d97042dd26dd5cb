import { inputClassName } from "@/components/ui/button-variants";

type FieldProps = {
  name: string;
  /** Defaults to the name; set it when two forms on a page share a field name. */
  id?: string;
  label: string;
  type?: string;
  autoComplete?: string;
  defaultValue?: string;
  value?: string;
  onChange?: (event: React.ChangeEvent<HTMLInputElement>) => void;
  required?: boolean;
  minLength?: number;
  placeholder?: string;
  hint?: string;
  errors?: string[];
  className?: string;
};

/** A labelled input whose server-side errors are shown beside it and tied to it for screen readers. */
export function Field({ name, id = name, label, type = "text", hint, errors, className, ...inputProps }: FieldProps) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const hasErrors = Boolean(errors?.length);
  return (
    // Plain classes, no cn(): forms are on the log-in page, which keeps tailwind-merge out of its budget.
    <div className={className ? `grid gap-2 ${className}` : "grid gap-2"}>
      {/* A plain label: Radix's Label would add a client bundle to every form for no behaviour we need. */}
      <label htmlFor={id} className="text-sm leading-none font-medium">
        {label}
      </label>
      <input
        className={inputClassName}
        id={id}
        name={name}
        type={type}
        aria-invalid={hasErrors}
        aria-describedby={hasErrors ? errorId : hint ? hintId : undefined}
        {...inputProps}
      />
      {hint && !hasErrors && (
        <p id={hintId} className="text-sm text-muted-foreground">
          {hint}
        </p>
      )}
      {hasErrors && (
        <p id={errorId} className="text-sm text-destructive" role="alert">
          {errors?.join(" ")}
        </p>
      )}
    </div>
  );
}

/** A form-level error or success line (not tied to one field). */
export function FormMessage({ tone, children }: { tone: "error" | "success"; children: React.ReactNode }) {
  return (
    <p role={tone === "error" ? "alert" : "status"} className={tone === "error" ? "text-sm text-destructive" : "text-sm text-success"}>
      {children}
    </p>
  );
}
