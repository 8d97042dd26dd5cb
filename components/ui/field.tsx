type FieldProps = {
  name: string;
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
export function Field({ name, label, type = "text", hint, errors, ...inputProps }: FieldProps) {
  const errorId = `${name}-error`;
  const hasErrors = Boolean(errors?.length);
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
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
