import { ApiClient } from './api-client.ts';

export const REVIEWER_PASSWORD = 'reviewer-password-0001';

const reviewers = new Map<string, Promise<ApiClient>>();

/** A county reviewer on this centre (created once through the admin API, then logged in). */
export function reviewerFor(admin: ApiClient, username = 'reviewer'): Promise<ApiClient> {
  const key = `${admin.baseUrl} ${username}`;
  let p = reviewers.get(key);
  if (!p) {
    p = (async () => {
      await admin.call('POST', '/api/users', {
        username,
        displayName: '县级审核员',
        password: REVIEWER_PASSWORD,
        roles: [{ role: 'county_reviewer', scopeCode: null }],
        mustChangePassword: false,
      });
      const c = new ApiClient(admin.baseUrl);
      await c.login(username, REVIEWER_PASSWORD);
      return c;
    })();
    p.catch(() => reviewers.delete(key));
    reviewers.set(key, p);
  }
  return p;
}

async function countyCode(api: ApiClient): Promise<string> {
  const { areas } = await api.call<{ areas: Array<{ code: string; level: string }> }>('GET', '/api/areas');
  const county = areas.find((a) => a.level === 'county');
  if (!county) throw new Error('no county imported');
  return county.code;
}

/**
 * Content that has passed review: `author` writes and submits it, a county reviewer approves it.
 * Returns the content id to put in programmes and broadcasts.
 */
export async function approvedContent(
  author: ApiClient,
  mediaSha256: string,
  opts: { title?: string; scopeCode?: string; admin?: ApiClient } = {},
): Promise<string> {
  const scopeCode = opts.scopeCode ?? (await countyCode(author));
  const { item } = await author.call<{ item: { id: string } }>('POST', '/api/content', {
    title: opts.title ?? '测试内容',
    scopeCode,
    mediaSha256,
  });
  await author.call('POST', `/api/content/${item.id}/submit`);
  const reviewer = await reviewerFor(opts.admin ?? author);
  await reviewer.call('POST', `/api/content/${item.id}/approve`);
  return item.id;
}
