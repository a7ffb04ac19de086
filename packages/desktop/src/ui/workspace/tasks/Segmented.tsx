import { memo, type ReactNode, useId } from 'react';

interface Props<T extends string> {
  /** The group's accessible name. */
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange(value: T): void;
}

/**
 * A segmented control: a radio group that looks like a row of joined buttons. Native radios, so
 * Tab enters at the chosen one and the arrow keys move the choice.
 *
 * Memoized (give it a stable `onChange`): React DOM rewrites a radio's `name` and `type` whenever it
 * updates its props, and Chromium then restyles it and regroups the radios. A tab switch renders
 * the tasks section of two panels, and each did that to all five radios until this was memoized.
 */
export const Segmented = memo(function Segmented<T extends string>({ label, options, value, onChange }: Props<T>) {
  const name = useId();
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((option) => (
        <label key={option.value} className={`segment${option.value === value ? ' is-checked' : ''}`}>
          <input
            type="radio"
            className="segment-input"
            name={name}
            value={option.value}
            checked={option.value === value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </div>
  );
}) as <T extends string>(props: Props<T>) => ReactNode;
