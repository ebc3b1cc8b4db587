import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AnnotationInput } from '../../lib/drift/annotation';
import { currentUser } from '../../scripts/cli/identity';
import { ApprovalDecision } from '../../workflows/approval-input';

const problems = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';

describe('who acts', () => {
  it('is $USER, else the OS user name: never missing', () => {
    expect(currentUser({ USER: 'ana' })).toBe('ana');
    expect(currentUser({ LOGNAME: 'ben' })).toBe('ben');
    expect(currentUser({ USER: '  ' })).toBe(userInfo().username);
    expect(currentUser({})).toBe(userInfo().username);
  });

  it('is `by` in an annotation, required, and a misspelt or old key is refused by name', () => {
    const annotation = { label: 'campaign', from: '2015-11-20', to: '2015-12-31' };
    expect(AnnotationInput.parse({ ...annotation, by: 'ana' })).toMatchObject({ by: 'ana', effect: 'none' });
    expect(problems(AnnotationInput.safeParse(annotation))).toMatch(/^by: names who acts/m);
    expect(problems(AnnotationInput.safeParse({ ...annotation, createdBy: 'ana' }))).toMatch(/Unrecognized key: "createdBy"/);
  });

  it('is `by` in an approval, with the same rule', () => {
    expect(ApprovalDecision.parse({ by: ' ana ', reason: 'holds up' })).toEqual({ by: 'ana', reason: 'holds up' });
    expect(problems(ApprovalDecision.safeParse({ By: 'ana', reason: 'holds up' }))).toMatch(/by: names who acts[\s\S]*Unrecognized key: "By"/);
  });
});
