/**
 * A user as Bitrix24's `user.get` and `user.current` answer: IDs and most values as strings,
 * ACTIVE as a boolean, empty strings for what is not filled in. Declared once: the portal answers
 * with it, the desktop reads it.
 */
export interface BitrixUser {
  ID: string;
  XML_ID: string;
  ACTIVE: boolean;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  LAST_LOGIN: string;
  DATE_REGISTER: string;
  IS_ONLINE: 'Y' | 'N';
  TIMESTAMP_X: string;
  LAST_ACTIVITY_DATE: string;
  TIME_ZONE: string;
  TIME_ZONE_OFFSET: string;
  PERSONAL_GENDER: string;
  PERSONAL_BIRTHDAY: string;
  /** A file id or URL; empty when there is no photo. */
  PERSONAL_PHOTO: string;
  PERSONAL_MOBILE: string;
  PERSONAL_CITY: string;
  WORK_PHONE: string;
  WORK_POSITION: string;
  UF_DEPARTMENT: number[];
  UF_EMPLOYMENT_DATE: string;
  USER_TYPE: string;
}
