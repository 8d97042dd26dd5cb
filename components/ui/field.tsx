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
  hint?: string;
  errors?: string[];
};

/** A labelled input whose server-side errors are announced and tied to it for screen readers. */
export function Field({ name, id = name, label, type = "text", hint, errors, ...inputProps }: FieldProps) {
  const errorId = `${id}-error`;
  const hasErrors = Boolean(errors?.length);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        aria-invalid={hasErrors}
        aria-describedby={hasErrors ? errorId : undefined}
        {...inputProps}
      />
      {hint && !hasErrors && <p className="hint">{hint}</p>}
      {hasErrors && (
        <p id={errorId} className="field-error" role="alert">
          {errors?.join(" ")}
        </p>
      )}
    </div>
  );
}
