/**
 * What the browser tests of the Temporal UI share: the workflow harness, a browser, and the codec endpoint that the
 * UI decodes run data through (run data is encrypted). The browser and the endpoint close before the harness stops.
 */
import { type Browser } from 'playwright-core';
import { launchBrowser, temporalUiUrl } from '../support/browser';
import { startTestCodecEndpoint, type TestCodecEndpoint } from '../support/codec-endpoint';
import { type Harness } from '../workflows/harness';
import { useHarness } from '../workflows/use-harness';

export interface UiTest {
  h: Harness;
  /** Set in beforeAll. */
  ui: { browser: Browser; codec: TestCodecEndpoint };
}

export function useUi(prefix: string, options: { webSecurity?: boolean } = {}): UiTest {
  const ui = {} as UiTest['ui'];
  // Declared before the harness: jest runs afterAll hooks in declaration order.
  afterAll(async () => {
    await ui.browser?.close();
    await ui.codec?.close();
  });
  const h = useHarness(prefix);
  beforeAll(async () => {
    ui.browser = await launchBrowser(options);
    ui.codec = await startTestCodecEndpoint({ uiOrigin: new URL(temporalUiUrl()).origin });
  });
  return { h, ui };
}
