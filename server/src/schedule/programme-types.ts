/** What the programme API takes and answers. */
export interface ProgrammeItemInput {
  /** Keep an existing item's id when editing, so terminals that already played it do not play it again. */
  id?: string;
  /** An approved content item. */
  contentId: string;
  title?: string;
  volume?: number;
}

export interface ProgrammeInput {
  date: string;
  slotId?: string;
  startTime?: string;
  scopeCode: string;
  title: string;
  items: ProgrammeItemInput[];
}

export interface ProgrammeView {
  id: string;
  date: string;
  slotId: string | null;
  slotName: string | null;
  startTime: string | null;
  scope: { code: string; name: string; level: string };
  title: string;
  /** When the county's own terminals start it (a township override may move the slot elsewhere). */
  startAt: number | null;
  durationMs: number;
  limitMs: number | null;
  items: Array<{
    id: string;
    contentId: string | null;
    /** Only approved or released content sounds; an item edited back to draft is skipped until re-approved. */
    contentState: string | null;
    mediaSha256: string;
    title: string | null;
    volume: number | null;
    durationMs: number;
    startAt: number | null;
  }>;
  createdAt: number;
  updatedAt: number;
}

export interface ProgrammeConflict {
  programmeId: string;
  date: string;
  title: string;
  scopeCode: string;
  code: string;
  message: string;
}
