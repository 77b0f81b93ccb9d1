// A cost estimate on the hub's pages: a number, or the reason there is none. Never a bare null or a silent zero,
// so a tariff the hub cannot evaluate (or a bug in rating) shows up on the page as "unpriced: <reason>".

export type Priced = { costNanoUsd: number; unpriced: null } | { costNanoUsd: null; unpriced: string };
