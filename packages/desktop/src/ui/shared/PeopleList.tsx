import type { Person } from '@multidesk/protocol/bridge';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Avatar } from './Avatar.tsx';
import { personName } from './format.ts';

/** Memoized: its owner re-rendering (a tab shown or hidden) does not rebuild a long list whose people did not change. */
export const PeopleList = memo(function PeopleList({
  people,
  labelledBy,
  selfId,
}: {
  people: Person[];
  labelledBy: string;
  selfId?: number | undefined;
}) {
  const { t } = useTranslation();
  if (people.length === 0) return <p className="muted">{t('people.none')}</p>;
  return (
    <ul className="people" aria-labelledby={labelledBy}>
      {people.map((person) => {
        const name = personName(person);
        return (
          <li key={person.id} className="person">
            <Avatar name={name} size="md" />
            <span className="person-text">
              <span className="person-name ellipsis" title={name}>
                {name}
                {person.id === selfId ? <span className="muted"> {t('people.you')}</span> : null}
              </span>
              {person.position ? (
                <span className="person-detail ellipsis" title={person.position}>
                  {person.position}
                </span>
              ) : null}
            </span>
            {person.email ? (
              <span className="person-email ellipsis" title={person.email}>
                {person.email}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
});
