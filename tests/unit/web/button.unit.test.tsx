import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Button } from '../../../web/src/components/ui';

/** The design system's button: a busy button never takes a second click, whatever `disabled` says. */
describe('Button', () => {
  const attributes = (markup: string) => /<button([^>]*)>/.exec(markup)?.[1] ?? '';

  it('when busy, then it is disabled and says so, even if told disabled={false}', () => {
    const busy = attributes(
      renderToStaticMarkup(
        <Button busy disabled={false}>
          Send
        </Button>,
      ),
    );
    expect(busy).toContain('disabled=""');
    expect(busy).toContain('aria-busy="true"');
  });

  it('when not busy, then disabled is what the caller says', () => {
    expect(attributes(renderToStaticMarkup(<Button>Send</Button>))).not.toContain('disabled');
    expect(attributes(renderToStaticMarkup(<Button disabled>Send</Button>))).toContain('disabled=""');
    expect(attributes(renderToStaticMarkup(<Button busy={false}>Send</Button>))).not.toContain('aria-busy');
  });

  it('when given a type, then it keeps it; otherwise it is a plain button, not a submit', () => {
    expect(attributes(renderToStaticMarkup(<Button type="submit">Send</Button>))).toContain('type="submit"');
    expect(attributes(renderToStaticMarkup(<Button>Send</Button>))).toContain('type="button"');
  });
});
