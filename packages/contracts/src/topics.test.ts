import { topicNamespace } from './topics';

describe('topic namespace', () => {
  it('is nothing by default, so production and the local stack keep the documented names', () => {
    expect(topicNamespace(undefined)).toBe('');
    expect(topicNamespace('')).toBe('');
  });

  it('prefixes every name with the namespace and a dot', () => {
    expect(topicNamespace('test')).toBe('test.');
  });

  it('refuses a value Kafka or an operator would misread', () => {
    for (const bad of ['Test', 'a.b', 'a b', '-x', 'x'.repeat(40), 'a/b']) {
      expect(() => topicNamespace(bad)).toThrow(/WOOP_TOPIC_NAMESPACE/);
    }
  });
});
