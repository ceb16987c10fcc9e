import { describe, expect, it } from 'vitest';
import { COMPONENT_CATALOG, knownComponentNames, lookupComponent, type ComponentKind } from '../../../shared/config/component-catalog.ts';

describe('component catalog', () => {
  it('has unique names and official pairs within each kind', () => {
    for (const kind of Object.keys(COMPONENT_CATALOG) as ComponentKind[]) {
      const names = knownComponentNames(kind);
      expect(new Set(names).size).toBe(names.length);
      const pairs = COMPONENT_CATALOG[kind].flatMap((entry) => entry.official.map((pair) => `${pair.moduleName}.${pair.className}`));
      expect(new Set(pairs).size).toBe(pairs.length);
    }
  });

  it('maps both spellings of the official CXR dataset module', () => {
    expect(lookupComponent('datasetModule', { module_name: 'data.cxr_loader', class_name: 'CXRDataset' })).toEqual({ ok: true, name: 'cxr' });
    expect(lookupComponent('datasetModule', { module_name: 'data.loaders.cxr_loader', class_name: 'CXRDataset' })).toEqual({ ok: true, name: 'cxr' });
  });

  it('explains what is missing', () => {
    expect(lookupComponent('trainer', { module_name: 'projects.23_morphaeus.Trainer' })).toEqual({
      ok: false,
      key: '',
      message: 'class_name is missing: an official trainer is named by module_name and class_name together',
    });
    const none = lookupComponent('dataset', {});
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toContain('known: csv, phantoms, idx, celeba, cifar10');
  });
});
