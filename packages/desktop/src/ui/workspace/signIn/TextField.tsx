import type { InputHTMLAttributes, Ref } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'aria-invalid' | 'aria-describedby'> {
  id: string;
  label: string;
  inputRef?: Ref<HTMLInputElement>;
  /** Marks the field wrong and points it at the message that says why. */
  invalid?: boolean | undefined;
  errorId?: string;
}

/** A labelled input of the sign-in forms; text fields never autocorrect or capitalise. */
export function TextField({ id, label, inputRef, invalid, errorId, type = 'text', ...input }: Props) {
  const plain = type === 'text';
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={inputRef}
        id={id}
        type={type}
        {...(plain ? { autoCapitalize: 'off', spellCheck: false } : {})}
        {...input}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
      />
    </div>
  );
}
